"""Stage package: refi."""
