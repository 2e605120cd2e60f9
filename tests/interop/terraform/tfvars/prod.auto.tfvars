# the production key; a value for a variable nobody declares is ignored with a warning
queue_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666"

region = "eu-west-1"
