"""Capacity planning: above the scheduler (cli/present/api -> capacity -> scheduler -> node -> pod).

One module per concept: the overview of every node (``overview``), how many more of a pod fit
and what stays stranded (``headroom``), what happens when nodes go (``whatif``).
"""
