"""Stage package: stats."""
