"""NodeResourcesFit (the filter and its LeastAllocated score) and NodeResourcesBalancedAllocation."""
