"""Places: communities, grids, compounds, buildings, and the group chats bound to them."""
