// The Kubernetes client, informers, work queue and leader election.
