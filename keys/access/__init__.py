"""Access: the policy that decides who may do what, the principal that asks, the filter (the one
path from ciphertext to plaintext) and the signed access log."""
