#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* Exhaustive accuracy check of the generated attn_expf against double exp, over every float
 * whose result is a normal float. Run: gcc -O2 -ffp-contract=off -I Templates/c
 * scripts/expf_exhaustive.c -o /tmp/expf -lm && /tmp/expf  (about a minute). */
#include "expf.c.tmpl"
int main(void){
  double worst=0; float wx=0; long n=0;
  for (uint64_t b=0; b<=0xFFFFFFFFull; b++){
    uint32_t u=(uint32_t)b; float x; memcpy(&x,&u,4);
    if(!(x >= -87.3365479f && x <= 88.7228394f)) continue;
    double e=exp((double)x); float ef=(float)e;
    double ulp = nextafterf(ef, INFINITY) - ef;
    double err = fabs((double)attn_expf(x) - e)/ulp;
    if(err>worst){worst=err;wx=x;} n++;
  }
  printf("checked %ld floats, worst %.3f ulp at x=%.9g\n", n, worst, wx);
}
