package org.pentecost.server.auth;

/** An authenticated caller: {@code userId} is the token's {@code sub}. */
public record Principal(String userId) {}
