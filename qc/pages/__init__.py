"""Pages of the quality statistics (issue 17): switching rules, control charts, stability studies and
performance studies. Their URL patterns are in ``qc.pages.urls`` (added to ``qc.urls``)."""
