"""Who prints and reconciles labels: production, QC and QA (and the admin); everyone who reads batches in
production reads the print jobs (the auditor through the core's ``*.view_*``)."""

PERMISSIONS = {
    "Production": ["labelling.view_*", "labelling.add_printjob", "labelling.add_labelreconciliation"],
    "QC": ["labelling.view_*", "labelling.add_printjob"],
    "QA": ["labelling.view_*", "labelling.add_printjob", "labelling.add_labelreconciliation"],
}
