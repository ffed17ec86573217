/* Checks the portable row helpers against double references for every row length up to 600
 * and beyond, through the wide (32-lane) and 8-lane paths. Built and run by GeneratedTests:
 * cc -O3 -march=native -I Templates/c scripts/row_helpers_check.c -lm (add -DATTN_LANES=8). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "lanes.c.tmpl"
#include "row_sum.c.tmpl"
#include "row_max.c.tmpl"
#include "row_sum_max.c.tmpl"
#include "row_dot.c.tmpl"
#include "row_dot2.c.tmpl"
int main(void){
  int N=5000; float *x=malloc(4*N),*w=malloc(4*N),*y=malloc(4*N); int bad=0;
  for(int i=0;i<N;i++){x[i]=(float)((i*37)%101)-50.0f; w[i]=(float)((i*13)%7)-3.0f; y[i]=(float)((i*17)%11)-5.0f;}
  for(int n=0;n<=N;n+= (n<600? 1 : 97)){
    double rs=0,rd=0,rd2=0; float rm=-INFINITY;
    for(int i=0;i<n;i++){rs+=x[i]; rm=x[i]>rm?x[i]:rm; rd+=(double)w[i]*x[i]; rd2+=(double)w[i]*y[i];}
    float s=attn_row_sum(x,n), m=attn_row_max(x,n), s2, m2, d=attn_row_dot(w,x,n), dx, dy;
    attn_row_sum_max(x,n,&s2,&m2); attn_row_dot2(w,x,y,n,&dx,&dy);
    if(fabs(s-rs)>1e-2||fabs(s2-rs)>1e-2||m!=rm||m2!=rm||fabs(d-rd)>1e-1||fabs(dx-rd)>1e-1||fabs(dy-rd2)>1e-1){bad++; if(bad<5)printf("n=%d s=%f/%f/%f m=%f/%f d=%f/%f dy=%f/%f\n",n,s,s2,rs,m,m2,d,rd,dy,rd2);}
  }
  printf("bad=%d\n",bad); return bad;}
