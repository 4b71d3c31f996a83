"""Letters and receipts: HTML templates rendered to tagged PDF (WeasyPrint) in the person's format."""
