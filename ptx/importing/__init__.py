"""Reading survey and complaints exports: files, dates and values."""
