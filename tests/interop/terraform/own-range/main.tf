# After serverless-patterns cloudmap-fargate-terraform: a rule admits the VPC's own range by
# reference (`cidr_blocks = [aws_vpc.main.cidr_block]`), as configurations often write.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
  ingress {
    from_port   = 6379
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = [aws_subnet.app.cidr_block]
  }
}

resource "aws_instance" "server" {
  subnet_id = aws_subnet.app.id
}

resource "aws_db_instance" "db" {
  vpc_security_group_ids = [aws_security_group.db.id]
  db_subnet_group_name   = aws_db_subnet_group.db.name
}

resource "aws_db_subnet_group" "db" {
  subnet_ids = [aws_subnet.app.id]
}
