/**
 * The Pentecost wire contract: error codes, message names and frame formats shared by the server
 * and clients. This module has no dependencies so that any client can use it.
 */
package org.pentecost.protocol;
