"""卡口排班 (F5): the week's roster, staff and volunteers, the gate register."""
