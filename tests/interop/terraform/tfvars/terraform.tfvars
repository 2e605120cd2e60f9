create_audit_queue = true
workers            = 2
db_encrypted       = false
