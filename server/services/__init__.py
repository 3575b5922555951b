"""Use cases shared by the surfaces. Each takes a Session; the calling view commits once."""
