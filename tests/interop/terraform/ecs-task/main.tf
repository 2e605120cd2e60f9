# ECS task definitions with and without a service (written for the tests, after StartLeft's
# aws_multiple_components.tf, whose task definitions no service runs).

resource "aws_iam_role" "task" {
  name               = "task"
  assume_role_policy = "{}"
}

# expect: a component of its own (fargate) that runs as iam; a schedule triggers it
resource "aws_ecs_task_definition" "report" {
  family                   = "report"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = "[]"
}

# expect: part of its ECS service, not a component
resource "aws_ecs_task_definition" "web" {
  family                = "web"
  task_role_arn         = aws_iam_role.task.arn
  container_definitions = "[]"
}

resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.web.arn
  desired_count   = 2
  launch_type     = "FARGATE"
}

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "nightly"
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "report" {
  rule     = aws_cloudwatch_event_rule.nightly.name
  arn      = aws_ecs_cluster.main.arn
  role_arn = aws_iam_role.task.arn
  ecs_target {
    task_definition_arn = aws_ecs_task_definition.report.arn
    launch_type         = "FARGATE"
  }
}
