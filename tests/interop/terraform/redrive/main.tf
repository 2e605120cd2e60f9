# After terraform-aws-modules/terraform-aws-sqs: the redrive policy split off the queue
# (aws_sqs_queue_redrive_policy) sends what fails to the dead-letter queue.
resource "aws_sqs_queue" "orders" {
  name = "orders"
}

resource "aws_sqs_queue" "dlq" {
  name = "orders-dlq"
}

resource "aws_sqs_queue_redrive_policy" "orders" {
  queue_url = aws_sqs_queue.orders.url
  redrive_policy = jsonencode(
    merge({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 5 }, {})
  )
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url            = aws_sqs_queue.dlq.url
  redrive_allow_policy = jsonencode({ redrivePermission = "byQueue", sourceQueueArns = [aws_sqs_queue.orders.arn] })
}
