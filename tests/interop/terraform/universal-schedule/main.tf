# EventBridge Scheduler universal targets (`arn:aws:scheduler:::aws-sdk:<service>:<action>`): the
# input names the queue; the input names nothing and the model has one table; the model has no
# state machine; two topics and an input that names neither.
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_dynamodb_table" "counters" {
  name     = "counters"
  hash_key = "id"
}

resource "aws_sns_topic" "one" {
  name = "one"
}

resource "aws_sns_topic" "two" {
  name = "two"
}

resource "aws_scheduler_schedule" "send" {
  schedule_expression = "rate(1 hour)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:sqs:sendMessage"
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
    input = jsonencode({
      QueueUrl    = aws_sqs_queue.jobs.url
      MessageBody = "tick"
    })
  }
}

resource "aws_scheduler_schedule" "count" {
  schedule_expression = "rate(1 day)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:dynamodb:putItem"
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
    input    = "{\"TableName\": \"counters\", \"Item\": {}}"
  }
}

resource "aws_scheduler_schedule" "start" {
  schedule_expression = "rate(1 day)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
    input    = "{}"
  }
}

resource "aws_scheduler_schedule" "publish" {
  schedule_expression = "rate(1 day)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:sns:publish"
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
    input    = "{\"Message\": \"tick\"}"
  }
}

# as real configurations stop a dev box at night: the input names the instance
resource "aws_instance" "devbox" {
  ami = "ami-12345678"
}

resource "aws_scheduler_schedule" "stop" {
  schedule_expression = "cron(0 23 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:ec2:stopInstances"
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
    input    = jsonencode({ InstanceIds = [aws_instance.devbox.id] })
  }
}
