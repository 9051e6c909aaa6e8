// Object stores: S3 with Signature V4, and local files.
