"""jobspiders: software job lists built from companies\x27 applicant tracking systems."""
