"""推送核查 (F4): pushed lists and the call queue."""
