"""捐赠物资 (F6): donations, stock and distributions."""
