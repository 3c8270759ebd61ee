"""What runners and coaches read and tap: the wording and keyboards that delivery/ and telegram/ share."""
