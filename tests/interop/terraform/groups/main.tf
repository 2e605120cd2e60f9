# Security groups stated in the model where the configuration gives them whole, and where it
# does not (a variable without default, an undecided dynamic block or count, a remote module
# given the group, a VPC's default group). Written for the tests.

variable "office_cidr" {
  type = string
}

variable "extra_ports" {
  type = list(number)
}

variable "rule_count" {
  type = number
}

variable "shared_group_id" {
  type = string
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

# stated whole: inline ingress (HTTPS and SSH from anywhere) and inline egress
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.db.id]
  }
}

resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.web.id]
}

# stated whole: a standalone rule from the web group
resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "db_from_web" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.web.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_instance" "db" {
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  vpc_security_group_ids = [aws_security_group.db.id]
}

# stated whole, through a launch template
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group_rule" "app_from_vpc" {
  type              = "ingress"
  security_group_id = aws_security_group.app.id
  from_port         = 8080
  to_port           = 8080
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/16"]
}

resource "aws_launch_template" "app" {
  image_id               = "ami-12345678"
  vpc_security_group_ids = [aws_security_group.app.id]
}

resource "aws_autoscaling_group" "app" {
  min_size            = 1
  max_size            = 2
  vpc_zone_identifier = [aws_subnet.app.id]
  launch_template {
    id = aws_launch_template.app.id
  }
}

# a rule whose address range has no value offline: the group's ingress is not written
resource "aws_security_group" "admin" {
  name   = "admin"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group_rule" "admin_from_office" {
  type              = "ingress"
  security_group_id = aws_security_group.admin.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [var.office_cidr]
}

resource "aws_instance" "admin" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.admin.id]
}

# a dynamic block over a variable without default: its ingress is not written
resource "aws_security_group" "dynamic" {
  name   = "dynamic"
  vpc_id = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.extra_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_instance" "dynamic" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.dynamic.id]
}

# a rule whose count has no value offline: it may or may not exist
resource "aws_security_group" "counted" {
  name   = "counted"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group_rule" "counted" {
  count             = var.rule_count
  type              = "ingress"
  security_group_id = aws_security_group.counted.id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/16"]
}

resource "aws_instance" "counted" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.counted.id]
}

# a rule with two instances, read as one (each gives its own port): not stated
resource "aws_security_group" "ports" {
  name   = "ports"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group_rule" "ports" {
  for_each          = toset(["80", "443"])
  type              = "ingress"
  security_group_id = aws_security_group.ports.id
  from_port         = each.value
  to_port           = each.value
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_instance" "ports" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.ports.id]
}

# a module not read offline is given the group: it may add rules
resource "aws_security_group" "shared" {
  name   = "shared"
  vpc_id = aws_vpc.main.id
}

module "rules" {
  source            = "terraform-aws-modules/security-group/aws"
  security_group_id = aws_security_group.shared.id
}

resource "aws_instance" "shared" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.shared.id]
}

# groups that are not all in the configuration: nothing listed
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_instance" "outside" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.app.id, var.shared_group_id]
}

resource "aws_instance" "defaulted" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.app.id, aws_default_security_group.default.id]
}
