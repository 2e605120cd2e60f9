# dynamic blocks: one block per item where for_each decides with the variables' values,
# a question where it does not. Written for the tests.
variable "public_ports" {
  default = {
    https = { port = 443 }
    ssh   = { port = 22 }
  }
}

variable "admin_cidrs" {
  type = list(string)
}

variable "extra_rules" {
  default = []
}

resource "aws_security_group" "web" {
  name = "web"

  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  dynamic "ingress" {
    for_each = var.public_ports
    iterator = rule
    content {
      description = "public ${rule.key}"
      from_port   = rule.value.port
      to_port     = rule.value.port
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  dynamic "ingress" {
    for_each = var.extra_rules
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group" "admin" {
  name = "admin"

  dynamic "ingress" {
    for_each = var.admin_cidrs
    content {
      from_port   = 3389
      to_port     = 3389
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}

resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
}

resource "aws_instance" "admin" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.admin.id]
}
