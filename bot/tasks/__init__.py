"""Published tasks (发布任务)."""
