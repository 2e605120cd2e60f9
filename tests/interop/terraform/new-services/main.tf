# MemoryDB, App Runner and IoT Core (written for these tests).
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "data_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "data_b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "eu-west-1b"
}

resource "aws_security_group" "connector" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "store" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [aws_security_group.connector.id]
  }
}

resource "aws_memorydb_subnet_group" "store" {
  name       = "store"
  subnet_ids = [aws_subnet.data_a.id, aws_subnet.data_b.id]
}

resource "aws_memorydb_acl" "users" {
  name = "app-users"
}

resource "aws_memorydb_cluster" "ledger" {
  name                     = "ledger"
  acl_name                 = aws_memorydb_acl.users.name
  node_type                = "db.t4g.small"
  num_replicas_per_shard   = 1
  security_group_ids       = [aws_security_group.store.id]
  subnet_group_name        = aws_memorydb_subnet_group.store.id
  snapshot_retention_limit = 0
  tls_enabled              = true
}

resource "aws_apprunner_vpc_connector" "connector" {
  vpc_connector_name = "connector"
  subnets            = [aws_subnet.data_a.id, aws_subnet.data_b.id]
  security_groups    = [aws_security_group.connector.id]
}

resource "aws_iam_role" "instance" {
  name               = "web"
  assume_role_policy = "{}"
}

resource "aws_apprunner_service" "web" {
  service_name = "web"
  source_configuration {
    image_repository {
      image_identifier      = "public.ecr.aws/example/app:1"
      image_repository_type = "ECR_PUBLIC"
    }
  }
  instance_configuration {
    instance_role_arn = aws_iam_role.instance.arn
  }
  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.connector.arn
    }
    ingress_configuration {
      is_publicly_accessible = true
    }
  }
}

resource "aws_lambda_function" "ingest" {
  function_name = "ingest"
  role          = aws_iam_role.instance.arn
  runtime       = "python3.12"
  handler       = "app.handler"
}

resource "aws_iot_topic_rule" "telemetry" {
  name        = "telemetry"
  enabled     = true
  sql         = "SELECT * FROM 'devices/+/telemetry'"
  sql_version = "2016-03-23"
  lambda {
    function_arn = aws_lambda_function.ingest.arn
  }
}

resource "aws_iot_thing" "sensor" {
  name = "sensor-1"
}

resource "aws_iot_policy" "sensor" {
  name   = "sensor"
  policy = "{}"
}

resource "aws_iot_logging_options" "logs" {
  default_log_level = "DISABLED"
  role_arn          = aws_iam_role.instance.arn
}
