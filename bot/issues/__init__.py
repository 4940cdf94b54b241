"""Issue reports (问题反映): the service, lifecycle, routing, escalation, points, flood rule, flows and scheduled jobs."""
