"""django-import-export resources of the back-office (the rules they apply live in the core)."""
