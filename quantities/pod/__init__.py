"""The pod layer: a typed Pod, read, defaulted and validated as the API server does, and
what component-helpers and the kubelet compute from it (requests, limits, QoS, OOM score)."""
