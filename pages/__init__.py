"""One module per page: layout only, no SQL, no business rules."""
