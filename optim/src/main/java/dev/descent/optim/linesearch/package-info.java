/** Line searches along a descent direction: backtracking (Armijo) and strong Wolfe (bracketing, then zoom with cubic interpolation, as in Nocedal and Wright, algorithms 3.5 and 3.6). */
package dev.descent.optim.linesearch;
