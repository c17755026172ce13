"""Reference loss figures shown beside casualty and equipment claims (issue 16)."""
