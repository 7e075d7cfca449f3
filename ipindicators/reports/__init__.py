"""What users read: the region report and overview notebooks (package data in
``reports/notebooks``), their helpers (:mod:`.region_report`, :mod:`.overview`), the charts
(:mod:`.plots`) and the papermill batch that runs them (:mod:`.batch`)."""
