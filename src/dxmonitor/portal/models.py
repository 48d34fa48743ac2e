# The portal stores nothing of its own: it reads the public values of the collection.
