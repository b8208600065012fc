"""Pictures of digits: plots (matplotlib figures), uint8 pictures for the studio and the
callbacks, and image files of digits of your choice."""
