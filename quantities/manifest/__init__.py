"""The manifest layer: text in, plain data and located problems out.

* :mod:`~quantities.manifest.decode`: JSON and YAML text to plain data, numbers exact;
  :mod:`~quantities.manifest.yaml_safe` bounds YAML's work;
  :mod:`~quantities.manifest.stream` reads cluster dumps one object at a time;
* :mod:`~quantities.manifest.kinds`: the one table of kinds, pod-template paths and lists;
* :mod:`~quantities.manifest.fields`: typed fields with every problem recorded;
* :mod:`~quantities.manifest.problems`: a problem, its JSON path, and the errors that carry them.

It knows Kubernetes' object shapes, not pods' or nodes' meaning.
"""
