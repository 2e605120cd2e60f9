# A configuration without a plan, written for the tests.
variable "create_debug" {
  default = false
}

variable "office_range" {
  type = string
}

module "net" {
  source = "./modules/net"
  cidr   = "10.2.0.0/16"
}

resource "aws_security_group" "app" {
  vpc_id = module.net.vpc_id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.office_range]
  }
}

resource "aws_instance" "app" {
  count                  = 3
  subnet_id              = module.net.subnet_id
  vpc_security_group_ids = [aws_security_group.app.id]
  root_block_device {
    encrypted = true
  }
}

resource "aws_instance" "debug" {
  count     = var.create_debug ? 1 : 0
  subnet_id = module.net.subnet_id
}

resource "aws_sqs_queue" "jobs" {
  kms_master_key_id = var.queue_key
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  environment {
    variables = {
      QUEUE = aws_sqs_queue.jobs.url
    }
  }
}

resource "aws_sqs_queue" "audit" {
}

module "consumer" {
  source = "./modules/consumer"
  queues = {
    jobs  = { arn = aws_sqs_queue.jobs.arn }
    audit = { arn = aws_sqs_queue.audit.arn }
  }
}
