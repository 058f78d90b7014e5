"""The scheduler layer: kube-scheduler's view of pods and nodes, its filters and scores, fit and plan."""
