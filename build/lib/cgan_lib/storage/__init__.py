"""Files on disk: writes that a crash or a full disk cannot half-do, and generators saved and
loaded (the shipped ones included, as package data in `shipped/`)."""
