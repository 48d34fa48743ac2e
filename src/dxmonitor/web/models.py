# The web layer holds no data of its own: it shows what the domain apps hold.
