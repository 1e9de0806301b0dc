"""Stage package: coding."""
