"""Programme content: load and validate `content/`, render the drill GIFs, sync drills into the database."""
