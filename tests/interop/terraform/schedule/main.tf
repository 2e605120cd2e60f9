# After serverless-patterns eventbridge-schedule-to-lambda-terraform-python: an EventBridge
# Scheduler schedule triggers its target.
resource "aws_lambda_function" "job" {
  function_name = "job"
  role          = "arn:aws:iam::123456789012:role/r"
}

resource "aws_scheduler_schedule" "nightly" {
  schedule_expression = "cron(0 2 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.job.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
  }
}
