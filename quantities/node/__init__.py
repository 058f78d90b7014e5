"""The node layer: a typed Node, and what ``kubectl describe node`` computes from it and its pods."""
