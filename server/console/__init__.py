"""The staff console: sessions, live updates, staff actions and the views its pages show."""
