"""Stage package: mechanisms."""
