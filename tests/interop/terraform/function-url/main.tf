# After serverless-patterns lambda-function-url-terraform: a function URL is the function's own
# public HTTPS endpoint; AWS_IAM signs its callers in, NONE lets anyone call it.
resource "aws_lambda_function" "signed" {
  function_name = "signed"
  role          = "arn:aws:iam::123456789012:role/r"
}

resource "aws_lambda_function_url" "signed" {
  function_name      = aws_lambda_function.signed.function_name
  authorization_type = "AWS_IAM"
}

resource "aws_lambda_function" "open" {
  function_name = "open"
  role          = "arn:aws:iam::123456789012:role/r"
}

resource "aws_lambda_function_url" "open" {
  function_name      = aws_lambda_function.open.arn
  authorization_type = "NONE"
}

# Lambda@Edge: the distribution invokes the function it associates
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  default_cache_behavior {
    viewer_protocol_policy = "https-only"
    lambda_function_association {
      event_type = "viewer-request"
      lambda_arn = aws_lambda_function.signed.qualified_arn
    }
  }
}
