"""The demo district: communities, members, issues, wishes and rotas built through the services."""
